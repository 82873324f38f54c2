/** The web chat's entry: mounts the app in `#app` (the page's HTML carries no script of its own). */
import { render } from 'preact';
import { App } from './app';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
