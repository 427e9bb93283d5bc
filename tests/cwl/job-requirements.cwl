# The job's cwl:requirements override the tool's own (env var), and a null
# given for an input with a default is the default.
cwlVersion: v1.2
class: CommandLineTool
requirements:
  EnvVarRequirement:
    envDef: {GREETING: from-the-tool}
inputs:
  who: string
  n: {type: Any, default: 7}
baseCommand: [sh, -c, 'echo "$GREETING $0"']
arguments: [$(inputs.n)]
stdout: out.txt
outputs:
  text: {type: string, outputBinding: {glob: out.txt, loadContents: true, outputEval: '$(self[0].contents)'}}
