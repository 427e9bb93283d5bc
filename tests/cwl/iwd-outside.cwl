# An entryname may not leave the output folder.
cwlVersion: v1.2
class: CommandLineTool
requirements:
  InitialWorkDirRequirement:
    listing:
      - entryname: ../escaped.txt
        entry: "text"
inputs: []
outputs: []
baseCommand: "true"
