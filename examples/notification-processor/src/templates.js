'use strict';
/**
 * Notification templates: a request's `type` + `data` -> the subject and text to send.
 * Pure functions, no AWS calls, so they are testable on their own.
 */

const SMS_MAX_LENGTH = 160; // one SMS segment
const SUBJECT_MAX_LENGTH = 100; // SNS Publish rejects longer subjects

const TEMPLATES = {
  WELCOME: {
    required: ['name'],
    subject: (d) => `Welcome, ${d.name}!`,
    text: (d) => `Hi ${d.name}, your account is ready. Sign in to get started.`,
  },
  PASSWORD_RESET: {
    required: ['code'],
    subject: () => 'Your password reset code',
    text: (d) => `Your password reset code is ${d.code}. It expires in ${d.expires_minutes || 15} minutes.`,
  },
  ORDER_SHIPPED: {
    required: ['order_id'],
    subject: (d) => `Order ${d.order_id} has shipped`,
    text: (d) => `Good news: order ${d.order_id} is on its way` + (d.tracking_number ? ` (tracking ${d.tracking_number}).` : '.'),
  },
  SYSTEM_ALERT: {
    required: ['message'],
    subject: (d) => `[${(d.severity || 'INFO').toUpperCase()}] System alert`,
    text: (d) => `${(d.severity || 'INFO').toUpperCase()}: ${d.message}`,
  },
  SCHEDULED_DIGEST: {
    required: ['time'],
    subject: (d) => `Scheduled notification digest (${d.time})`,
    text: (d) => `Scheduled notification run at ${d.time}` + (d.rule ? ` by ${d.rule}.` : '.'),
  },
};

const CHANNELS = ['email', 'sms'];

class InvalidNotification extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidNotification';
  }
}

function truncate(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Validate a notification request and render it.
 * @param {{type: string, channel: string, recipient: string, data?: object}} request
 * @returns {{type: string, channel: string, recipient: string, subject: string|null, text: string}}
 */
function renderNotification(request) {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new InvalidNotification('notification request must be a JSON object');
  }
  const template = TEMPLATES[request.type];
  if (!template) {
    throw new InvalidNotification(`type must be one of ${Object.keys(TEMPLATES).join(', ')} (got ${JSON.stringify(request.type)})`);
  }
  if (!CHANNELS.includes(request.channel)) {
    throw new InvalidNotification(`channel must be one of ${CHANNELS.join(', ')} (got ${JSON.stringify(request.channel)})`);
  }
  if (typeof request.recipient !== 'string' || request.recipient.trim() === '') {
    throw new InvalidNotification('recipient must be a non-empty string');
  }
  if (request.channel === 'sms' && !/^\+[1-9]\d{6,14}$/.test(request.recipient)) {
    throw new InvalidNotification(`sms recipient must be an E.164 phone number like +821012345678 (got ${JSON.stringify(request.recipient)})`);
  }
  if (request.channel === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(request.recipient)) {
    throw new InvalidNotification(`email recipient must be an email address (got ${JSON.stringify(request.recipient)})`);
  }
  const data = request.data || {};
  const missing = template.required.filter((field) => data[field] === undefined || data[field] === '');
  if (missing.length > 0) {
    throw new InvalidNotification(`data.${missing.join(', data.')} required for ${request.type}`);
  }
  const text = template.text(data);
  return {
    type: request.type,
    channel: request.channel,
    recipient: request.recipient,
    subject: request.channel === 'email' ? truncate(template.subject(data), SUBJECT_MAX_LENGTH) : null,
    text: request.channel === 'sms' ? truncate(text, SMS_MAX_LENGTH) : text,
  };
}

module.exports = { renderNotification, InvalidNotification, TEMPLATES, SMS_MAX_LENGTH, SUBJECT_MAX_LENGTH };
