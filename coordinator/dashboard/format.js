import { locale, t } from './i18n.js';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/**
 * Bytes in binary units (1 KB = 1024 B), as file managers show them.
 *
 * @example formatBytes(125890560) // '120 MB'
 * @param {number | null | undefined} bytes
 */
export function formatBytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return t('common.none');
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** @param {number | null | undefined} bytesPerSecond */
export function formatSpeed(bytesPerSecond) {
  return typeof bytesPerSecond === 'number' ? `${formatBytes(bytesPerSecond)}/s` : t('common.none');
}

/**
 * Seconds as "1 分 5 秒" / "1 min 5 s".
 *
 * @param {number | null | undefined} seconds
 */
export function formatDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return t('common.none');
  const whole = Math.max(0, Math.round(seconds));
  if (seconds < 10 && seconds > 0 && whole < 10) {
    return t('duration.s', { s: Number(seconds.toFixed(1)) });
  }
  if (whole < 60) return t('duration.s', { s: whole });
  if (whole < 3600) return t('duration.ms', { m: Math.floor(whole / 60), s: whole % 60 });
  return t('duration.hm', { h: Math.floor(whole / 3600), m: Math.floor((whole % 3600) / 60) });
}

/**
 * A local date and time from ISO-8601 text or Unix seconds (the API uses both).
 *
 * @param {string | number | null | undefined} value
 */
export function formatDateTime(value) {
  if (value === null || value === undefined) return t('common.none');
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(locale(), {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/** @param {number} percent */
export function formatPercent(percent) {
  return `${(Math.floor(percent * 10) / 10).toFixed(1)}%`;
}
