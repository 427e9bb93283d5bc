cwlVersion: v1.2
class: Workflow
requirements:
  MultipleInputFeatureRequirement: {}
inputs:
  a: string?
  b: string?
outputs:
  out:
    type: string
    outputSource: [a, b]
    pickValue: all_non_null
steps: []
