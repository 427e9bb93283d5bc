# $graph: the process named by #fragment, or `main`; a tool imported with $import.
cwlVersion: v1.2
$graph:
  - id: echo
    class: CommandLineTool
    inputs: {msg: {type: string, inputBinding: {position: 1}}}
    baseCommand: echo
    stdout: o.txt
    outputs:
      said: {type: string, outputBinding: {glob: o.txt, loadContents: true, outputEval: '$(self[0].contents)'}}
  - id: main
    class: Workflow
    inputs: {msg: string}
    outputs: {said: {type: string, outputSource: step/said}}
    steps:
      step: {run: "#echo", in: {msg: msg}, out: [said]}
