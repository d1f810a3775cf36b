/**
 * Hostile pages for the fixture site (pass them as `startFixtureSite`'s `pages`): each
 * starts misbehaving when its button at (40, 40)–(280, 120) is pressed, so a test can
 * open it, see its title, then set it off. Used by test/e2e/workers-hostile.test.ts.
 */

const REPORT_JS = `function report(data){fetch('/report',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(data)});}`;
const BUTTON = '<style>#b{position:absolute;left:40px;top:40px;width:240px;height:80px}</style>';

/** Click point of every hostile page's button (CSS px of the remote page). */
export const HOSTILE_BUTTON = { x: 150, y: 80 } as const;

export const HOSTILE_PAGES: Record<string, string> = {
  /** alert() for ever: the user must be able to stop seeing it. */
  '/hostile/alerts': `<title>Hostile alert loop</title>${BUTTON}<button id="b">Start</button>
<script>document.getElementById('b').addEventListener('click',()=>{for(let i=0;;i++){alert('hostile '+i);}});</script>`,
  /** window.open() in a loop: the tab cap must hold. */
  '/hostile/popups': `<title>Hostile popup flood</title>${BUTTON}<button id="b">Start</button>
<script>document.getElementById('b').addEventListener('click',()=>{for(let i=0;i<200;i++){window.open('/button?flood='+i);}});</script>`,
  /** The main thread never returns. */
  '/hostile/spin': `<title>Hostile spin</title>${BUTTON}<button id="b">Start</button>
<script>document.getElementById('b').addEventListener('click',()=>{for(;;){}});</script>`,
  /**
   * Allocates JavaScript arrays until the renderer dies; reports the heap limit the
   * renderer runs with first, so a test can see the configured cap reached it.
   */
  '/hostile/memory': `<title>Hostile memory bomb</title>${BUTTON}<button id="b">Start</button>
<script>${REPORT_JS}
report({kind:'heap-limit',bytes:performance.memory.jsHeapSizeLimit});
document.getElementById('b').addEventListener('click',()=>{const keep=[];for(;;){keep.push(new Array(1e6).fill(Math.random()));}});</script>`,
  /**
   * Crashes its renderer as a buggy page does: a runaway cache of unique strings and
   * objects until the heap is exhausted (V8 aborts the renderer; no CDP involved).
   */
  '/hostile/crash': `<title>Hostile crash</title>${BUTTON}<button id="b">Start</button>
<script>document.getElementById('b').addEventListener('click',()=>{const cache=new Map();for(let i=0;;i++){cache.set('k'+i+'-'+Math.random(),{i,s:'x'.repeat(64)+i,next:cache.size});}});</script>`,
};
