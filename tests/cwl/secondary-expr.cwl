# secondaryFiles given by expressions: a name relative to the file's folder
# (not a suffix), and a file object with a basename of its own (staged
# under that name).
cwlVersion: v1.2
class: CommandLineTool
requirements:
  InlineJavascriptRequirement: {}
inputs:
  data:
    type: File
    secondaryFiles:
      - $(self.nameroot).dat.idx
      - '${ return {"class": "File", "location": inputs.other.location, "basename": "renamed.meta"}; }'
    inputBinding: {position: 1}
  other: File
baseCommand: [sh, -c, 'ls "$(dirname "$0")" | sort']
stdout: o.txt
outputs:
  listing: {type: string, outputBinding: {glob: o.txt, loadContents: true, outputEval: '$(self[0].contents)'}}
