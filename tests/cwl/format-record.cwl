# A file whose format is not the one its (record field) input accepts is
# refused before the tool runs.
cwlVersion: v1.2
class: CommandLineTool
inputs:
  rec:
    type:
      type: record
      fields:
        f1: {type: File, format: http://example.com/format1}
outputs: []
baseCommand: "true"
