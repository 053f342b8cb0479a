/** Subtask error codes shared by coordinator and agent. The messages are the contract's. */
export const ErrorCode = {
  DeviceOffline: 1001,
  MeetingNotFound: 1002,
  DeviceRemoved: 1003,
  DeviceFull: 1004,
  AgentLost: 1005,
  WriteFailed: 1006,
  ChecksumMismatch: 1007,
  Cancelled: 1008,
  DownloadFailed: 1009,
  FileTooLarge: 1010,
  InvalidManifest: 1011,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export const errorMessages: Record<ErrorCodeValue, string> = {
  1001: '设备未在线',
  1002: '会议不存在',
  1003: '设备已断开',
  1004: '设备空间不足',
  1005: '代理无响应',
  1006: '写入失败',
  1007: '校验失败',
  1008: '已取消',
  1009: '下载失败',
  1010: '文件超过设备文件系统上限',
  1011: '会议文件清单无效',
};

export function errorMessage(code: ErrorCodeValue): string {
  return errorMessages[code];
}

export function isErrorCode(value: number): value is ErrorCodeValue {
  return Object.prototype.hasOwnProperty.call(errorMessages, value);
}
