import { createRoot } from 'react-dom/client';
import '../shared/style.css';
import { SignedIn } from '../shared/app';
import { AdminApp } from './AdminApp';

createRoot(document.getElementById('root')!).render(
  <SignedIn app="admin" title="Meterline admin — sign in">
    {(session, signOut) => <AdminApp email={session.email} onSignOut={signOut} />}
  </SignedIn>,
);
