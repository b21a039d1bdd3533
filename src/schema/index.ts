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

export const schema = builder.toSchema({ sortSchema: true });
