/** Every route module of the web API, in the order their routes are registered. */
import { attachmentRoutes } from './routes/attachment-routes.js';
import { catalogRoutes } from './routes/catalog-routes.js';
import { chatRoutes } from './routes/chat-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { galleryRoutes } from './routes/gallery-routes.js';
import { generateRoutes } from './routes/generate-routes.js';
import { generationRoutes } from './routes/generation-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { optionRoutes } from './routes/option-routes.js';
import { pageRoutes } from './routes/page-routes.js';
import { v1ChatRoutes } from './routes/v1-chat-routes.js';
import { v1DirectRoutes } from './routes/v1-direct-routes.js';
import { v1JobRoutes } from './routes/v1-job-routes.js';
import type { WebRoutes } from './web-context.js';

export const WEB_ROUTES: readonly WebRoutes[] = [
  pageRoutes,
  healthRoutes,
  meRoutes,
  chatRoutes,
  messageRoutes,
  optionRoutes,
  generateRoutes,
  attachmentRoutes,
  catalogRoutes,
  eventRoutes,
  generationRoutes,
  galleryRoutes,
  v1ChatRoutes,
  v1DirectRoutes,
  v1JobRoutes,
];
