import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { EvalVaultEvent } from '@evalvault/contracts';

/**
 * What both event clients (Kafka and in-process) share: `client.emit(event.type, event)`
 * publishes the event, and request-reply (`send`) is refused — services talk through
 * events only. Subclasses say how a batch is published.
 */
export abstract class EventClient extends ClientProxy {
  abstract publishBatch(events: readonly EvalVaultEvent[]): Promise<void>;

  protected async dispatchEvent<T>(packet: ReadPacket<EvalVaultEvent>): Promise<T> {
    await this.publishBatch([packet.data]);
    return undefined as T;
  }

  protected publish(_packet: ReadPacket, _callback: (packet: WritePacket) => void): () => void {
    throw new Error('request-reply over the bus is not supported: emit events instead');
  }
}
