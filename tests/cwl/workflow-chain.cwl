# Two steps, the second reads the first's output; a step default.
cwlVersion: v1.2
class: Workflow
inputs:
  text: File
outputs:
  counted:
    type: string
    outputSource: count/lines
steps:
  upper:
    run: stdin-stdout.cwl
    in: {text: text}
    out: [upper]
  count:
    run:
      class: CommandLineTool
      inputs:
        file: {type: File, inputBinding: {position: 1}}
        flag: {type: string, inputBinding: {position: 0}}
      baseCommand: wc
      stdout: n.txt
      outputs:
        lines:
          type: string
          outputBinding: {glob: n.txt, loadContents: true, outputEval: "$(self[0].contents.split(' ')[0])"}
      requirements: [{class: InlineJavascriptRequirement}]
    in:
      file: upper/upper
      flag: {default: "-l"}
    out: [lines]
