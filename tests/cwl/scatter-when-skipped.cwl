# A scatter whose every item is skipped by `when`, beside a step that runs:
# the items end at once, without a task (this once freed scopes the
# scheduler still had queued, and crashed).
cwlVersion: v1.2
class: Workflow
requirements:
  InlineJavascriptRequirement: {}
  ScatterFeatureRequirement: {}
  MultipleInputFeatureRequirement: {}
  StepInputExpressionRequirement: {}
inputs:
  a: string?
  b: string?
  single: {type: string, default: one}
outputs:
  out:
    type: string[]
    outputSource: [each/said, alone/said]
    linkMerge: merge_flattened
    pickValue: all_non_null
steps:
  each:
    run: &say
      class: CommandLineTool
      inputs: {word: {type: string, inputBinding: {position: 1}}, name: string}
      baseCommand: echo
      stdout: o.txt
      outputs:
        said: {type: string, outputBinding: {glob: o.txt, loadContents: true, outputEval: '$(self[0].contents)'}}
    when: $(inputs.single === null)
    scatter: [word, suffix]
    scatterMethod: dotproduct
    in:
      single: single
      suffix: {default: ["1", "2"]}
      word: [a, b]
      name: {valueFrom: "n$(inputs.suffix)"}
    out: [said]
  alone:
    run: *say
    when: $(inputs.single !== null)
    in:
      single: single
      word: single
      name: {default: x}
    out: [said]
