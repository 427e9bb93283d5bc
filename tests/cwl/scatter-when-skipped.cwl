# A scatter over two absent files whose every item is skipped by `when`,
# beside a step that runs: the skipped items end at once, without a task.
# (The scheduler once freed such iteration scopes while it still had them
# queued, and crashed.)
cwlVersion: v1.2
class: Workflow
requirements:
  MultipleInputFeatureRequirement: {}
  InlineJavascriptRequirement: {}
  StepInputExpressionRequirement: {}
  ScatterFeatureRequirement: {}
inputs:
  forward_reads: File?
  reverse_reads: File?
  single_reads: File?
outputs:
  out_file:
    type: File[]
    outputSource: [step_paired/processed_file, step_single/processed_file]
    linkMerge: merge_flattened
    pickValue: all_non_null
steps:
  step_paired:
    run: &action
      class: CommandLineTool
      inputs:
        initial_file: File
        out_file_name: string
      outputs:
        processed_file: stdout
      stdout: $(inputs.out_file_name)
      arguments: [echo, $(inputs.initial_file.basename)]
    when: $(inputs.single === null)
    scatter: [initial_file, suffix]
    scatterMethod: dotproduct
    in:
      single: single_reads
      suffix: {default: ["1", "2"]}
      initial_file: [forward_reads, reverse_reads]
      out_file_name: {valueFrom: "filename_paired$(inputs.suffix)"}
    out: [processed_file]
  step_single:
    run: *action
    when: $(inputs.single !== null)
    in:
      single: single_reads
      initial_file: single_reads
      out_file_name: {default: filename_single}
    out: [processed_file]
