import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createAppApiClient } from './api/app-api-client';
import { App } from './App';
import { createAppStore } from './store/app-store';
import './styles.css';

const api = createAppApiClient();
const store = createAppStore(api);
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App store={store} api={api} />
    </StrictMode>,
  );
}
