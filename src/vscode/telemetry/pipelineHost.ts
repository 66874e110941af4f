import * as vscode from 'vscode';
import { type TelemetryPipelineHost } from '../../app/telemetry/telemetryPipeline';
import { telemetrySettings } from './telemetrySettings';

/** The telemetry pipeline's host in the editor: the workspace file system and the `slice.telemetry.*` and `slice.metrics.*` settings. */
export const editorPipelineHost: TelemetryPipelineHost = {
  files: {
    isFile: async (file) => ((await vscode.workspace.fs.stat(vscode.Uri.file(file))).type & vscode.FileType.File) !== 0,
    readText: async (file) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file))),
  },
  windowMinutes: telemetrySettings.windowMinutes,
  source: telemetrySettings.source,
  regressionThreshold: telemetrySettings.regressionThreshold,
  errorRateThreshold: telemetrySettings.errorRateThreshold,
};
