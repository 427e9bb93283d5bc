cwlVersion: v1.2
class: Workflow
inputs: []
outputs: []
steps:
  one:
    run: no-such-tool.cwl
    in: {}
    out: []
