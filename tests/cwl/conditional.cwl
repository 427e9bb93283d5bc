# `when` skips a step; pickValue picks the branch that ran.
cwlVersion: v1.2
class: Workflow
requirements:
  InlineJavascriptRequirement: {}
  MultipleInputFeatureRequirement: {}
inputs:
  n: int
outputs:
  which:
    type: string
    outputSource: [small/out, big/out]
    pickValue: the_only_non_null
steps:
  small:
    run: &say
      class: ExpressionTool
      inputs: {word: string}
      outputs: {out: string}
      expression: '$({"out": inputs.word})'
    when: $(inputs.n < 10)
    in: {n: n, word: {default: small}}
    out: [out]
  big:
    run: *say
    when: $(inputs.n >= 10)
    in: {n: n, word: {default: big}}
    out: [out]
