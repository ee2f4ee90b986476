'use strict';
/**
 * notification-handler: turns notification requests into rendered messages on the email or SMS topic.
 *
 * Triggers (all asynchronous invocations):
 *   - SNS (user-events, system-events topics): each record's Message is a JSON request
 *       {"type": "WELCOME", "channel": "email", "recipient": "a@example.com", "data": {"name": "Ada"}}
 *   - EventBridge pattern rule (source "notifications.app", detail-type "NotificationRequested"):
 *       the event's `detail` is the request;
 *   - EventBridge schedule: a SCHEDULED_DIGEST email to DIGEST_RECIPIENT.
 *
 * Each rendered notification is published to EMAIL_TOPIC_ARN or SMS_TOPIC_ARN with `channel` and
 * `type` message attributes. A request that cannot be rendered makes the invocation fail after the
 * valid ones were published, so Lambda's async retries, the DLQ and the error alarm see it.
 */

const { renderNotification, InvalidNotification } = require('./templates');

function requestsFromEvent(event, env) {
  if (event && Array.isArray(event.Records)) {
    return event.Records.map((record, index) => {
      if (record.EventSource !== 'aws:sns' || !record.Sns) {
        return { error: `Records[${index}] is not an SNS record (EventSource ${JSON.stringify(record.EventSource)})` };
      }
      try {
        return { origin: record.Sns.TopicArn, request: JSON.parse(record.Sns.Message) };
      } catch (e) {
        return { error: `Records[${index}].Sns.Message is not JSON: ${e.message}` };
      }
    });
  }
  if (event && typeof event['detail-type'] === 'string' && typeof event.source === 'string') {
    const rule = Array.isArray(event.resources) ? event.resources[0] : undefined;
    if (event['detail-type'] === 'Scheduled Event') {
      return [{
        origin: rule,
        request: {
          type: 'SCHEDULED_DIGEST',
          channel: 'email',
          recipient: env.DIGEST_RECIPIENT || 'notifications@example.com',
          data: { time: event.time, rule },
        },
      }];
    }
    // Events from PutEvents usually have no resources (EB-2): name their source instead.
    return [{ origin: rule || `${event.source}:${event['detail-type']}`, request: event.detail }];
  }
  return [{ error: 'event is neither an SNS notification nor an EventBridge event' }];
}

function topicFor(channel, env) {
  const name = channel === 'sms' ? 'SMS_TOPIC_ARN' : 'EMAIL_TOPIC_ARN';
  if (!env[name]) {
    throw new Error(`${name} is not set: add it to the module's environment_variables`);
  }
  return env[name];
}

function publishParams(notification, origin, env) {
  const params = {
    TopicArn: topicFor(notification.channel, env),
    Message: JSON.stringify({
      recipient: notification.recipient,
      subject: notification.subject,
      text: notification.text,
      type: notification.type,
      origin: origin || null,
    }),
    MessageAttributes: {
      channel: { DataType: 'String', StringValue: notification.channel },
      type: { DataType: 'String', StringValue: notification.type },
    },
  };
  if (notification.subject) {
    params.Subject = notification.subject;
  }
  return params;
}

function log(level, event, fields) {
  console.log(JSON.stringify({ level, event, ...fields }));
}

/**
 * Build a handler around a publish function, so tests and the runtime can inject one.
 * @param {{publish?: (params: object) => Promise<{MessageId?: string}>, env?: object}} deps
 */
function createHandler(deps = {}) {
  const env = deps.env || process.env;
  let publish = deps.publish;
  return async function handler(event) {
    if (!publish) {
      // Loaded on first use: the nodejs18.x runtime bundles the AWS SDK v3.
      const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');
      const client = new SNSClient({});
      publish = (params) => client.send(new PublishCommand(params));
    }
    const published = [];
    const failures = [];
    for (const item of requestsFromEvent(event, env)) {
      if (item.error) {
        failures.push(item.error);
        continue;
      }
      let notification;
      try {
        notification = renderNotification(item.request);
      } catch (e) {
        if (!(e instanceof InvalidNotification)) throw e;
        failures.push(e.message);
        continue;
      }
      const response = await publish(publishParams(notification, item.origin, env));
      published.push({ messageId: response.MessageId, channel: notification.channel, type: notification.type });
      log('INFO', 'notification_published', { channel: notification.channel, type: notification.type, origin: item.origin });
    }
    if (failures.length > 0) {
      log('ERROR', 'notification_rejected', { failures });
      throw new InvalidNotification(`${failures.length} notification request(s) rejected: ${failures.join('; ')}`);
    }
    return { published };
  };
}

exports.createHandler = createHandler;
exports.requestsFromEvent = requestsFromEvent;
exports.handler = createHandler();
