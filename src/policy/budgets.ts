// Budgets of the frontend's operations (schema/operations/*.graphql), checked by `npm run gates`
// and test/policy/gates.test.ts. Every operation needs an entry: a new one without a budget fails.
// `cost` is the static cost at the variables the gate sends (src/policy/cost.ts); `sql` is the
// number of SQL statements one request runs against the gates' seeded data, the API-key lookup
// and transaction control included. Both are upper bounds: raise one only with a reason in review.

export interface OperationBudget {
  cost: number;
  sql: number;
}

export const OPERATION_BUDGETS: Record<string, OperationBudget> = {
  CompleteSession: { cost: 16, sql: 1 },
  // One call of create_api_key: the user's row locked, live keys counted, the insert (src/auth/key-statements.ts).
  CreateApiKey: { cost: 10, sql: 1 },
  CreateJobPosting: { cost: 10, sql: 1 },
  CreateResume: { cost: 10, sql: 1 },
  CreateSession: { cost: 11, sql: 3 },
  DeleteSession: { cost: 10, sql: 1 },
  JobPostings: { cost: 21, sql: 1 },
  Resumes: { cost: 21, sql: 1 },
  RevokeApiKey: { cost: 10, sql: 1 },
  SessionDetail: { cost: 65, sql: 2 },
  // Subscribe (session check) and one SessionCompleted delivery (the session and its average score).
  SessionEvents: { cost: 2, sql: 3 },
  SessionFeedback: { cost: 8, sql: 2 },
  SessionMessages: { cost: 22, sql: 1 },
  SessionsList: { cost: 341, sql: 1 },
  SignUp: { cost: 10, sql: 1 },
  SubmitAnswer: { cost: 10, sql: 2 },
  Viewer: { cost: 11, sql: 1 },
};
