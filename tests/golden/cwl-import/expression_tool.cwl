# import-cwl: an ExpressionTool is JavaScript.
cwlVersion: v1.2
class: ExpressionTool
requirements:
  InlineJavascriptRequirement: {}
inputs: []
outputs:
  x: int
expression: "$({'x': 1})"
