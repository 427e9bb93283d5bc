# import-cwl: a step input's valueFrom.
cwlVersion: v1.2
class: Workflow
requirements:
  StepInputExpressionRequirement: {}
inputs:
  word: string
outputs: []
steps:
  say:
    in:
      word: {source: word, valueFrom: "$(self)!"}
    out: []
    run:
      class: CommandLineTool
      inputs:
        word: {type: string, inputBinding: {position: 1}}
      baseCommand: echo
      outputs: []
