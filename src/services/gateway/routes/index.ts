// Every route module of the gateway. Add a module here to add routes; handlers stay in their files.
import type {GatewayRouteModule} from '../context.js'
import {adminRoutes} from './admin.js'
import {inferenceRoutes} from './inference.js'
import {readSideRoutes} from './read-side.js'
import {taggingJobRoutes} from './tagging-job-routes.js'

export const GATEWAY_ROUTE_MODULES: GatewayRouteModule[] = [
  inferenceRoutes,
  adminRoutes,
  taggingJobRoutes,
  readSideRoutes,
]
