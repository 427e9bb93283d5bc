cwlVersion: v1.2
class: CommandLineTool
requirements: [{class: InlineJavascriptRequirement}]
inputs: []
baseCommand: echo
arguments: ["${ throw new Error('no good'); }"]
outputs: []
