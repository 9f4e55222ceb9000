// Served by the platform like React and GraphiQL themselves, so the page works with no internet; a file, not an inline script, so the page's content security policy can forbid inline scripts.
const TOKEN_KEY = 'meterline.accessToken';
const status = document.getElementById('status');
const root = ReactDOM.createRoot(document.getElementById('graphiql'));

function headersFor(token) {
  return token ? JSON.stringify({ Authorization: 'Bearer ' + token }, null, 2) : '{}';
}

function render() {
  const token = localStorage.getItem(TOKEN_KEY);
  status.textContent = token ? 'Signed in: the token is in the Headers tab' : 'Not signed in';
  root.render(React.createElement(GraphiQL, {
    key: token || 'anonymous',
    fetcher: GraphiQL.createFetcher({ url: '/graphql' }),
    defaultHeaders: headersFor(token),
    headers: headersFor(token),
    headerEditorEnabled: true,
    shouldPersistHeaders: false,
    defaultQuery: '# Sign in above, then run:\n{\n  viewer {\n    user { email role }\n    organization { name }\n  }\n}\n'
  }));
}

document.getElementById('signin').addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: document.getElementById('email').value, password: document.getElementById('password').value })
  });
  if (!response.ok) {
    status.textContent = 'Sign-in failed (' + response.status + ')';
    return;
  }
  localStorage.setItem(TOKEN_KEY, (await response.json()).access_token);
  render();
});
document.getElementById('signout').addEventListener('click', () => { localStorage.removeItem(TOKEN_KEY); render(); });
render();
