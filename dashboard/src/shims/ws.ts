// Stands in for the `ws` package in the browser build: the SDK only loads it where there is no global WebSocket.
export default class {
  constructor(..._args: unknown[]) {
    throw new Error('The dashboard runs in a browser and uses its WebSocket.');
  }
}
