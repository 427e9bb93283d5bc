# InitialWorkDirRequirement (a file written from an expression),
# EnvVarRequirement, ShellCommandRequirement (a pipe), ResourceRequirement.
cwlVersion: v1.2
class: CommandLineTool
requirements:
  InitialWorkDirRequirement:
    listing:
      - entryname: greeting.txt
        entry: "hello $(inputs.who)\n"
  EnvVarRequirement:
    envDef: {WHO: $(inputs.who)}
  ShellCommandRequirement: {}
  ResourceRequirement: {coresMin: 1, ramMin: 100}
inputs:
  who: string
arguments:
  - {valueFrom: "cat greeting.txt | tr a-z A-Z; echo $WHO $(runtime.cores)", shellQuote: false}
stdout: out.txt
outputs:
  text: {type: string, outputBinding: {glob: out.txt, loadContents: true, outputEval: '$(self[0].contents)'}}
