import { createRoot } from 'react-dom/client';
import '../shared/style.css';
import { SignedIn } from '../shared/app';
import { ClientApp } from './ClientApp';

createRoot(document.getElementById('root')!).render(
  <SignedIn app="client" title="Meterline — sign in">
    {(session, signOut) => <ClientApp email={session.email} onSignOut={signOut} />}
  </SignedIn>,
);
