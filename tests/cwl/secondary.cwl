# secondaryFiles: an index found beside its file, staged with it.
cwlVersion: v1.2
class: CommandLineTool
inputs:
  data:
    type: File
    secondaryFiles: [.idx, "^.meta?"]
    inputBinding: {position: 1}
baseCommand: [sh, -c, 'ls "$(dirname "$0")" | sort']
stdout: o.txt
outputs:
  listing: {type: string, outputBinding: {glob: o.txt, loadContents: true, outputEval: '$(self[0].contents)'}}
