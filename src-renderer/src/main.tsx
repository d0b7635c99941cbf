import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createAppApiClient } from './api/app-api-client';
import { App } from './App';
import { createAppStore } from './store/app-store';
import './styles.css';

const store = createAppStore(createAppApiClient());
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App store={store} />
    </StrictMode>,
  );
}
