// Hash routing: #/runs, #/new[?from=ID], #/run/ID, #/compare?ids=A,B — a reload lands on the same screen.

export type Route =
  | { name: 'runs' }
  | { name: 'new'; from: string | null }
  | { name: 'run'; id: string }
  | { name: 'compare'; ids: string[] };

export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  const [head, arg] = path.split('/');
  if (head === 'new') return { name: 'new', from: params.get('from') };
  if (head === 'run' && arg) return { name: 'run', id: decodeURIComponent(arg) };
  if (head === 'compare')
    return { name: 'compare', ids: (params.get('ids') ?? '').split(',').filter((s) => s !== '') };
  return { name: 'runs' };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'runs':
      return '#/runs';
    case 'new':
      return route.from ? `#/new?from=${encodeURIComponent(route.from)}` : '#/new';
    case 'run':
      return `#/run/${encodeURIComponent(route.id)}`;
    case 'compare':
      return `#/compare?ids=${route.ids.map(encodeURIComponent).join(',')}`;
  }
}

class Router {
  route = $state.raw<Route>(parseHash(location.hash));

  constructor() {
    addEventListener('hashchange', () => (this.route = parseHash(location.hash)));
  }

  go(route: Route): void {
    location.hash = href(route);
  }
}

export const router = new Router();
