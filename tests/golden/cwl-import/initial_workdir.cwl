# import-cwl: InitialWorkDirRequirement is refused (it names the requirement).
cwlVersion: v1.2
class: CommandLineTool
requirements:
  InitialWorkDirRequirement:
    listing:
      - entryname: a.txt
        entry: "text"
inputs: []
baseCommand: cat
arguments: [a.txt]
outputs: []
