# A v1.0 document may not use v1.2's `when` (CWL's schema for v1.0 has none).
cwlVersion: v1.0
class: Workflow
inputs:
  go: boolean
outputs: []
steps:
  s:
    when: $(inputs.go)
    in: {go: go}
    out: []
    run:
      class: CommandLineTool
      inputs: {go: boolean}
      baseCommand: "true"
      outputs: []
