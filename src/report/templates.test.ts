import { describe, expect, it } from 'vitest';
import { codeSpan, createTemplateEnv, fence, markdownInline } from './templates.ts';

describe('markdown helpers', () => {
  it('keeps evidence text inert in Markdown', () => {
    expect(markdownInline('a|b <img src=x> [l](http://e) *x* _y_ & `c`\nnext')).toBe(
      'a\\|b &lt;img src=x&gt; \\[l\\]\\(http://e\\) \\*x\\* \\_y\\_ &amp; \\`c\\` next',
    );
    expect(codeSpan('a`b|c\nd')).toBe("a'b\\|c d");
  });

  it('fences with a bar longer than any backtick run inside, indented', () => {
    expect(fence('x ``` y', 'sh', 0)).toBe('````sh\nx ``` y\n````');
    expect(fence('a\nb', 'http', 3)).toBe('   ```http\n   a\n   b\n   ```');
  });

  it('escapes {{ }} in HTML templates', () => {
    const fn = createTemplateEnv().compile('<p>{{v}}</p>');
    expect(fn({ v: '<script>alert("x")</script>' })).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
  });
});
