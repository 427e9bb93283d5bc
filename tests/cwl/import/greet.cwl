# For import-cwl: a tool whose command line uses positions, prefixes (with
# and without a space), an optional input, a bool flag, a list with a
# prefix and one joined by a separator, and stdout captured as an output.
cwlVersion: v1.2
class: CommandLineTool
doc: Says hello, with options.
inputs:
  name: {type: string, inputBinding: {position: 2}}
  greeting: {type: string, default: Hello, inputBinding: {position: 1, prefix: "--greeting=", separate: false}}
  times: {type: "int?", inputBinding: {position: 3, prefix: -n}}
  loud: {type: boolean, default: false, inputBinding: {position: 4, prefix: --loud}}
  tags: {type: "string[]", default: [], inputBinding: {position: 5, prefix: -t}}
  also: {type: "string[]", default: [x, y], inputBinding: {position: 6, itemSeparator: ","}}
baseCommand: [echo]
arguments: [{valueFrom: said, position: 0}]
stdout: greeting.txt
outputs:
  out: stdout
