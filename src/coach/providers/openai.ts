// A provider for any server that speaks OpenAI's chat-completions protocol: a hosted API, vLLM,
// llama.cpp's server, Ollama. It asks for structured output (a JSON schema), validates what comes
// back with the same schema, and turns every failure (timeout, HTTP error, malformed answer) into
// a ProviderError whose message names the failure but never the key or the candidate's text.
import { z } from 'zod';
import type { AnswerFeedback } from '../types.js';
import { ProviderError, type AnswerInput, type FeedbackProvider, type SessionInput } from './types.js';

export interface OpenAiProviderOptions {
  /** e.g. https://api.openai.com/v1 or http://127.0.0.1:8080/v1 */
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
}

const feedbackSchema = z.object({
  score: z.number().int().min(0).max(100),
  strengths: z.array(z.string().min(1).max(500)).max(5),
  improvements: z.array(z.string().min(1).max(500)).max(5),
  summary: z.string().min(1).max(2000),
});

/** The same shape as JSON Schema, for the server's structured-output mode. */
const feedbackJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['score', 'strengths', 'improvements', 'summary'],
  properties: {
    score: { type: 'integer', minimum: 0, maximum: 100 },
    strengths: { type: 'array', maxItems: 5, items: { type: 'string' } },
    improvements: { type: 'array', maxItems: 5, items: { type: 'string' } },
    summary: { type: 'string' },
  },
} as const;

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

const SYSTEM = [
  'You are an interview coach. You assess a candidate for the job posting given.',
  'Answer with one JSON object only: score (integer 0-100), strengths (at most 5 short sentences),',
  'improvements (at most 5 short sentences) and summary (two or three sentences).',
].join(' ');

/** Long postings are cut: the model needs the gist, and the prompt's size is the call's cost. */
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

export class OpenAiProvider implements FeedbackProvider {
  readonly id: string;

  constructor(private readonly options: OpenAiProviderOptions) {
    this.id = `openai:${options.model}`;
  }

  assessAnswer(input: AnswerInput, signal: AbortSignal): Promise<AnswerFeedback> {
    const { jobPosting } = input;
    return this.complete(
      [
        `Job: ${jobPosting.title} at ${jobPosting.company}. Skills: ${jobPosting.skills.join(', ')}.`,
        `Posting: ${clip(jobPosting.description, 4_000)}`,
        `Question: ${input.question}`,
        `Answer: ${clip(input.answer, 10_000)}`,
        'Assess this answer.',
      ].join('\n\n'),
      signal,
    );
  }

  assessSession(input: SessionInput, signal: AbortSignal): Promise<AnswerFeedback> {
    const { jobPosting } = input;
    const turns = input.answers.map(
      (turn, index) => `${index + 1}. Q: ${turn.question}\nA: ${clip(turn.answer, 2_000)}\nScore: ${turn.feedback.score}`,
    );
    return this.complete(
      [
        `Job: ${jobPosting.title} at ${jobPosting.company}. Skills: ${jobPosting.skills.join(', ')}.`,
        turns.length ? `Interview:\n${turns.join('\n\n')}` : 'The candidate gave no answers.',
        'Assess the whole interview.',
      ].join('\n\n'),
      signal,
    );
  }

  private async complete(prompt: string, signal: AbortSignal): Promise<AnswerFeedback> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.options.model,
          temperature: 0,
          messages: [
            { role: 'system', content: SYSTEM },
            { role: 'user', content: prompt },
          ],
          response_format: { type: 'json_schema', json_schema: { name: 'feedback', strict: true, schema: feedbackJsonSchema } },
        }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        throw new ProviderError(signal.aborted ? 'generation cancelled' : `no answer within ${this.options.timeoutMs} ms`);
      }
      throw new ProviderError('could not reach the coach provider');
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new ProviderError(`coach provider answered HTTP ${response.status}`);
    }
    let content: string | null | undefined;
    try {
      content = completionSchema.parse(await response.json()).choices[0]?.message.content;
    } catch {
      throw new ProviderError('coach provider sent a malformed completion');
    }
    const parsed = feedbackSchema.safeParse(parseJson(content ?? ''));
    if (!parsed.success) throw new ProviderError('coach provider sent feedback that does not match the schema');
    return parsed.data;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
