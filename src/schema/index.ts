// Assembles the schema: imports every type file, then builds. Defines nothing itself.
import { builder } from '../builder.js';
import './user.js';
import './api-key.js';
import './job-posting.js';
import './resume.js';
import './session.js';
import './message.js';
import './feedback.js';
import './operation.js';
import './node.js';
import './subscription.js';

import { withSyncNodeIds } from './sync-node-ids.js';

const built = builder.toSchema({ sortSchema: true });
export const schema = withSyncNodeIds(built);
