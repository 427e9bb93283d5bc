# InitialWorkDirRequirement by CWL v1.2's rules: a Dirent whose entry is
# neither text nor files is written as JSON (Python's json.dumps spacing, as
# cwltool writes it); "$(x)\n" keeps its line break (an interpolation); a list
# of files is staged with its secondary files; an input staged under a new
# name is where `inputs.x.path` says; `\$(` is text and `\\` one backslash.
cwlVersion: v1.2
class: CommandLineTool
requirements:
  InlineJavascriptRequirement: {}
  ShellCommandRequirement: {}
  InitialWorkDirRequirement:
    listing:
      - entryname: list.json
        entry: '${ return {"b": [1, 2.5, "x"], "a": null}; }'
      - entryname: list-nl.json
        entry: |
          $(inputs.words)
      - entry: $(inputs.data)
      - $(null)
      - entryname: renamed.txt
        entry: $(inputs.one)
      - entryname: escapes.txt
        entry: |
          keep \$(inputs.words) and \\ and \d
inputs:
  words: string[]
  one: File
  data:
    type: File[]
    secondaryFiles: [.idx]
arguments:
  - valueFrom: >
      cat list.json; echo; cat list-nl.json escapes.txt; ls | sort | tr '\n' ' ';
      test "$(inputs.one.path)" = "$(runtime.outdir)/renamed.txt" && echo moved
    shellQuote: false
stdout: out.txt
outputs:
  text: {type: string, outputBinding: {glob: out.txt, loadContents: true, outputEval: '$(self[0].contents)'}}
