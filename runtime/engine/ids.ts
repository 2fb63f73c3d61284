// Time-ordered ids (ULIDs) for runs, queue items and events.
import { monotonicFactory } from 'ulid';

export const ulid = monotonicFactory();
