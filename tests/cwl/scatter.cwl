# Scatter: dotproduct over two lists, nested and flat cross products.
cwlVersion: v1.2
class: Workflow
requirements:
  ScatterFeatureRequirement: {}
  InlineJavascriptRequirement: {}
inputs:
  a: "string[]"
  b: "string[]"
outputs:
  dot: {type: "string[]", outputSource: dot/out}
  nested: {type: {type: array, items: {type: array, items: string}}, outputSource: nested/out}
  flat: {type: "string[]", outputSource: flat/out}
steps:
  dot:
    run: &join
      class: ExpressionTool
      inputs: {x: string, y: string}
      outputs: {out: string}
      expression: '$({"out": inputs.x + inputs.y})'
    scatter: [x, y]
    scatterMethod: dotproduct
    in: {x: a, y: b}
    out: [out]
  nested:
    run: *join
    scatter: [x, y]
    scatterMethod: nested_crossproduct
    in: {x: a, y: b}
    out: [out]
  flat:
    run: *join
    scatter: [x, y]
    scatterMethod: flat_crossproduct
    in: {x: a, y: b}
    out: [out]
