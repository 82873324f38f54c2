/**
 * The gallery (`#/gallery`): the person's results from history, newest first, searched on their prompts as
 * the person types (250 ms after the last key, or at once on Enter), a page at a time.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { problemText } from './banner';
import { mediaName } from './format';
import { MediaView } from './media';
import { chatHref } from './routes';
import type { Generation } from './types';

const DEBOUNCE_MS = 250;

interface Results {
  search: string;
  items: Generation[];
  cursor: string | null;
  hasMore: boolean;
}

function Result({ generation: g }: { generation: Generation }) {
  const name = mediaName(g.label, g.prompt);
  return (
    <figure class="result">
      {g.media.length > 0 ? (
        g.media.map((media) => <MediaView key={media.url} media={media} name={name} />)
      ) : (
        <p class="elsewhere">{g.message ?? `No result (${g.state})`}</p>
      )}
      <figcaption>
        <strong>{g.label}</strong>
        <span class="prompt">{g.prompt}</span>
        <a href={chatHref(g.chat_id)}>Open chat</a>
      </figcaption>
    </figure>
  );
}

export function Gallery() {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Results | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const latest = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = async (search: string, more?: Results) => {
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const page = await api.gallery(search, more?.cursor ?? undefined);
      if (ticket !== latest.current) return;
      setResults({
        search,
        items: more ? [...more.items, ...page.items] : page.items,
        cursor: page.next_cursor,
        hasMore: page.has_more && page.next_cursor !== null,
      });
      setError(undefined);
    } catch (failure) {
      if (ticket === latest.current) setError(problemText(failure));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  };

  useEffect(() => {
    void load('');
    return () => clearTimeout(timer.current);
  }, []);

  const searchSoon = (value: string) => {
    setQuery(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(value.trim()), DEBOUNCE_MS);
  };

  const shown = results?.search ?? '';
  return (
    <section aria-label="Gallery" class="gallery">
      <h2>Your results</h2>
      <form
        class="search"
        onSubmit={(event) => {
          event.preventDefault();
          clearTimeout(timer.current);
          void load(query.trim());
        }}
      >
        <label for="gallery-search">Search your results</label>
        <input
          id="gallery-search"
          type="search"
          value={query}
          placeholder="A fox, a lighthouse…"
          onInput={(event) => searchSoon(event.currentTarget.value)}
        />
      </form>
      {error && (
        <p role="alert" class="failure">
          {error}
        </p>
      )}
      {results && results.items.length === 0 && !loading && (
        <p class="empty">{shown ? `No results for “${shown}”.` : 'Nothing yet — generate something in a chat.'}</p>
      )}
      {results && results.items.length > 0 && (
        <div class="grid">
          {results.items.map((generation) => (
            <Result key={generation.generation_id} generation={generation} />
          ))}
        </div>
      )}
      {loading && <p class="loading">Loading…</p>}
      {results?.hasMore && (
        <button
          type="button"
          aria-disabled={loading ? 'true' : undefined}
          onClick={() => !loading && void load(results.search, results)}
        >
          Load more
        </button>
      )}
    </section>
  );
}
