# A record input with field bindings, an enum, SchemaDefRequirement.
cwlVersion: v1.2
class: CommandLineTool
requirements:
  SchemaDefRequirement:
    types:
      - name: Mode
        type: enum
        symbols: [fast, slow]
inputs:
  opts:
    type:
      type: record
      fields:
        level: {type: int, inputBinding: {prefix: -l, position: 2}}
        name: {type: string, inputBinding: {prefix: -n, position: 1}}
    inputBinding: {position: 1}
  mode: {type: Mode, inputBinding: {position: 0, prefix: --mode}}
baseCommand: echo
stdout: o.txt
outputs:
  line: {type: string, outputBinding: {glob: o.txt, loadContents: true, outputEval: '$(self[0].contents)'}}
