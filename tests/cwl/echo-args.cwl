#!/usr/bin/env cwl-runner
# The command line: positions, prefixes, separate, itemSeparator, a bool flag,
# an optional input left out, arguments; the words come back as JSON.
cwlVersion: v1.2
class: CommandLineTool
baseCommand: [printf, '%s\n']
inputs:
  name: {type: string, inputBinding: {position: 2}}
  count: {type: int, inputBinding: {position: 1, prefix: -n}}
  verbose: {type: boolean, inputBinding: {position: 0, prefix: --verbose}}
  quiet: {type: boolean, default: false, inputBinding: {prefix: --quiet}}
  tags: {type: 'string[]', inputBinding: {position: 3, prefix: -t, itemSeparator: ","}}
  each: {type: {type: array, items: string, inputBinding: {prefix: -e}}, inputBinding: {position: 4}}
  missing: {type: 'string?', inputBinding: {position: 5, prefix: -m}}
  joined: {type: string, default: x, inputBinding: {position: 6, prefix: --j=, separate: false}}
arguments:
  - {valueFrom: first, position: -1}
  - last
stdout: words.txt
outputs:
  words:
    type: string
    outputBinding: {glob: words.txt, loadContents: true, outputEval: '$(self[0].contents)'}
