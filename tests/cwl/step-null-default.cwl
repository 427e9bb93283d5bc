# A step that passes null to a tool input with a default: the tool's
# default applies. An output that picks all_non_null must be a list
# (pick-all-not-list.cwl is refused).
cwlVersion: v1.2
class: Workflow
inputs:
  maybe: string?
outputs:
  said: {type: string, outputSource: echo/said}
steps:
  echo:
    in: {word: maybe}
    out: [said]
    run:
      class: CommandLineTool
      inputs:
        word: {type: string, default: fallback, inputBinding: {position: 1}}
      baseCommand: echo
      stdout: o.txt
      outputs:
        said: {type: string, outputBinding: {glob: o.txt, loadContents: true, outputEval: '$(self[0].contents)'}}
