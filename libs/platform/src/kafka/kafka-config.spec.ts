import { ConfigError } from '../config/service-config.js';
import { loadKafkaSettings } from './kafka-config.js';

describe('loadKafkaSettings', () => {
  it('frames values as single-object unless EVALVAULT_KAFKA_FRAMING says confluent', () => {
    expect(loadKafkaSettings({}, 'test').framing).toBe('single-object');
    expect(loadKafkaSettings({ EVALVAULT_KAFKA_FRAMING: 'confluent' }, 'test').framing).toBe('confluent');
  });

  it('refuses another framing, naming the variable and the choices', () => {
    const load = () => loadKafkaSettings({ EVALVAULT_KAFKA_FRAMING: 'protobuf' }, 'test');
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('EVALVAULT_KAFKA_FRAMING must be one of single-object, confluent, got "protobuf"');
  });
});
