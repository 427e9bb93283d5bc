# pickValue the_only_non_null with two values: the run fails, saying why.
cwlVersion: v1.2
class: Workflow
requirements: {InlineJavascriptRequirement: {}, MultipleInputFeatureRequirement: {}}
inputs: {a: string, b: string}
outputs:
  x: {type: string, outputSource: [a, b], pickValue: the_only_non_null}
steps: []
