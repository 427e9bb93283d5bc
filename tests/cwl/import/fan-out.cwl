# For import-cwl: scatter (one input, then two in dotproduct), `when` on a
# bool input, pickValue, a step default, an inline tool and a tool in a file.
cwlVersion: v1.2
class: Workflow
requirements:
  ScatterFeatureRequirement: {}
  MultipleInputFeatureRequirement: {}
  InlineJavascriptRequirement: {}
inputs:
  names: string[]
  counts: int[]
  extra: {type: boolean, default: false}
outputs:
  each: {type: "File[]", outputSource: hello/out}
  pairs: {type: "File[]", outputSource: pair/out}
  bonus: {type: "File[]", outputSource: [maybe/out], pickValue: all_non_null}
steps:
  hello:
    run: greet.cwl
    scatter: name
    in: {name: names, loud: {default: true}}
    out: [out]
  pair:
    run: greet.cwl
    scatter: [name, times]
    scatterMethod: dotproduct
    in: {name: names, times: counts}
    out: [out]
  maybe:
    when: $(inputs.go)
    in: {go: extra, name: {default: extra}}
    out: [out]
    run:
      class: CommandLineTool
      inputs:
        name: {type: string, inputBinding: {position: 1}}
        go: boolean
      baseCommand: echo
      stdout: o.txt
      outputs:
        out: stdout
