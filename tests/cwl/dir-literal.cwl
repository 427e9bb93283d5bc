# An ExpressionTool's folder literal whose listing is the job's files: the
# files are published in it (a job's file may be passed on to an output).
cwlVersion: v1.2
class: ExpressionTool
requirements:
  InlineJavascriptRequirement: {}
inputs:
  files: File[]
outputs:
  dir: Directory
expression: '${ return {"dir": {"class": "Directory", "basename": "bundle", "listing": inputs.files}}; }'
