/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation CompleteSession($input: SessionIdInput!) {\n  completeSession(input: $input) {\n    id\n    status\n    completedAt\n    feedback {\n      id\n      scope\n      score\n      summary\n    }\n  }\n}": typeof types.CompleteSessionDocument,
    "mutation CreateApiKey($input: CreateApiKeyInput!) {\n  createApiKey(input: $input) {\n    key\n    apiKey {\n      id\n      name\n      prefix\n      createdAt\n    }\n  }\n}": typeof types.CreateApiKeyDocument,
    "mutation CreateJobPosting($input: CreateJobPostingInput!) {\n  createJobPosting(input: $input) {\n    id\n    title\n    company\n    skills\n    createdAt\n  }\n}": typeof types.CreateJobPostingDocument,
    "mutation CreateResume($input: CreateResumeInput!) {\n  createResume(input: $input) {\n    id\n    title\n    createdAt\n  }\n}": typeof types.CreateResumeDocument,
    "mutation CreateSession($input: CreateSessionInput!) {\n  createSession(input: $input) {\n    id\n    status\n    createdAt\n    jobPosting {\n      id\n      title\n    }\n    messages(first: 1) {\n      edges {\n        node {\n          id\n          seq\n          role\n          content\n        }\n      }\n    }\n  }\n}": typeof types.CreateSessionDocument,
    "mutation DeleteSession($input: SessionIdInput!) {\n  deleteSession(input: $input) {\n    deletedSessionId\n  }\n}": typeof types.DeleteSessionDocument,
    "query JobPostings($first: Int = 20, $after: String) {\n  jobPostings(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        title\n        company\n        skills\n        createdAt\n      }\n    }\n  }\n}": typeof types.JobPostingsDocument,
    "query Resumes($first: Int = 20, $after: String) {\n  resumes(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        title\n        createdAt\n      }\n    }\n  }\n}": typeof types.ResumesDocument,
    "mutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revoked\n    revokedAt\n  }\n}": typeof types.RevokeApiKeyDocument,
    "query SessionDetail($id: ID!) {\n  session(id: $id) {\n    id\n    status\n    createdAt\n    startedAt\n    completedAt\n    messageCount\n    averageScore\n    jobPosting {\n      id\n      title\n      company\n      skills\n    }\n    resume {\n      id\n      title\n    }\n    messages(first: 50) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          seq\n          role\n          content\n          createdAt\n          feedback {\n            id\n            score\n          }\n        }\n      }\n    }\n    feedback {\n      id\n      scope\n      score\n      strengths\n      improvements\n      summary\n      createdAt\n    }\n    operations {\n      id\n      kind\n      status\n      attempts\n      error\n      createdAt\n      startedAt\n      finishedAt\n    }\n  }\n}": typeof types.SessionDetailDocument,
    "subscription SessionEvents($sessionId: ID!) {\n  sessionEvents(sessionId: $sessionId) {\n    __typename\n    sessionId\n    ... on MessageAdded {\n      message {\n        id\n        seq\n        role\n        content\n        createdAt\n      }\n    }\n    ... on FeedbackReady {\n      feedback {\n        id\n        score\n        summary\n        strengths\n        improvements\n      }\n    }\n    ... on OperationUpdated {\n      status\n      operation {\n        id\n        kind\n        status\n        attempts\n      }\n    }\n    ... on SessionCompleted {\n      session {\n        id\n        status\n        completedAt\n        averageScore\n      }\n    }\n  }\n}": typeof types.SessionEventsDocument,
    "query SessionFeedback($id: ID!) {\n  session(id: $id) {\n    id\n    status\n    averageScore\n    feedback {\n      id\n      scope\n      score\n      strengths\n      improvements\n      summary\n      createdAt\n      message {\n        id\n        seq\n        content\n      }\n    }\n  }\n}": typeof types.SessionFeedbackDocument,
    "query SessionMessages($id: ID!, $first: Int = 20, $after: String) {\n  session(id: $id) {\n    id\n    messages(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          seq\n          role\n          content\n          createdAt\n        }\n      }\n    }\n  }\n}": typeof types.SessionMessagesDocument,
    "query SessionsList($first: Int = 20, $after: String, $status: SessionStatus) {\n  sessions(first: $first, after: $after, status: $status) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        status\n        createdAt\n        completedAt\n        jobPosting {\n          id\n          title\n          company\n        }\n        messages(first: 10) {\n          edges {\n            node {\n              id\n              seq\n              role\n              content\n            }\n          }\n        }\n        feedback {\n          id\n          score\n          summary\n        }\n      }\n    }\n  }\n}": typeof types.SessionsListDocument,
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    key\n    apiKey {\n      id\n      prefix\n    }\n    user {\n      id\n      name\n      email\n    }\n  }\n}": typeof types.SignUpDocument,
    "mutation SubmitAnswer($input: SubmitAnswerInput!) {\n  submitAnswer(input: $input) {\n    answer {\n      id\n      seq\n      role\n      content\n    }\n    feedback {\n      id\n      score\n      strengths\n      improvements\n      summary\n    }\n    operation {\n      id\n      kind\n      status\n    }\n    nextQuestion {\n      id\n      seq\n      role\n      content\n    }\n  }\n}": typeof types.SubmitAnswerDocument,
    "query Viewer {\n  viewer {\n    id\n    name\n    email\n    createdAt\n    apiKeys {\n      id\n      name\n      prefix\n      createdAt\n      revoked\n    }\n  }\n}": typeof types.ViewerDocument,
};
const documents: Documents = {
    "mutation CompleteSession($input: SessionIdInput!) {\n  completeSession(input: $input) {\n    id\n    status\n    completedAt\n    feedback {\n      id\n      scope\n      score\n      summary\n    }\n  }\n}": types.CompleteSessionDocument,
    "mutation CreateApiKey($input: CreateApiKeyInput!) {\n  createApiKey(input: $input) {\n    key\n    apiKey {\n      id\n      name\n      prefix\n      createdAt\n    }\n  }\n}": types.CreateApiKeyDocument,
    "mutation CreateJobPosting($input: CreateJobPostingInput!) {\n  createJobPosting(input: $input) {\n    id\n    title\n    company\n    skills\n    createdAt\n  }\n}": types.CreateJobPostingDocument,
    "mutation CreateResume($input: CreateResumeInput!) {\n  createResume(input: $input) {\n    id\n    title\n    createdAt\n  }\n}": types.CreateResumeDocument,
    "mutation CreateSession($input: CreateSessionInput!) {\n  createSession(input: $input) {\n    id\n    status\n    createdAt\n    jobPosting {\n      id\n      title\n    }\n    messages(first: 1) {\n      edges {\n        node {\n          id\n          seq\n          role\n          content\n        }\n      }\n    }\n  }\n}": types.CreateSessionDocument,
    "mutation DeleteSession($input: SessionIdInput!) {\n  deleteSession(input: $input) {\n    deletedSessionId\n  }\n}": types.DeleteSessionDocument,
    "query JobPostings($first: Int = 20, $after: String) {\n  jobPostings(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        title\n        company\n        skills\n        createdAt\n      }\n    }\n  }\n}": types.JobPostingsDocument,
    "query Resumes($first: Int = 20, $after: String) {\n  resumes(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        title\n        createdAt\n      }\n    }\n  }\n}": types.ResumesDocument,
    "mutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revoked\n    revokedAt\n  }\n}": types.RevokeApiKeyDocument,
    "query SessionDetail($id: ID!) {\n  session(id: $id) {\n    id\n    status\n    createdAt\n    startedAt\n    completedAt\n    messageCount\n    averageScore\n    jobPosting {\n      id\n      title\n      company\n      skills\n    }\n    resume {\n      id\n      title\n    }\n    messages(first: 50) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          seq\n          role\n          content\n          createdAt\n          feedback {\n            id\n            score\n          }\n        }\n      }\n    }\n    feedback {\n      id\n      scope\n      score\n      strengths\n      improvements\n      summary\n      createdAt\n    }\n    operations {\n      id\n      kind\n      status\n      attempts\n      error\n      createdAt\n      startedAt\n      finishedAt\n    }\n  }\n}": types.SessionDetailDocument,
    "subscription SessionEvents($sessionId: ID!) {\n  sessionEvents(sessionId: $sessionId) {\n    __typename\n    sessionId\n    ... on MessageAdded {\n      message {\n        id\n        seq\n        role\n        content\n        createdAt\n      }\n    }\n    ... on FeedbackReady {\n      feedback {\n        id\n        score\n        summary\n        strengths\n        improvements\n      }\n    }\n    ... on OperationUpdated {\n      status\n      operation {\n        id\n        kind\n        status\n        attempts\n      }\n    }\n    ... on SessionCompleted {\n      session {\n        id\n        status\n        completedAt\n        averageScore\n      }\n    }\n  }\n}": types.SessionEventsDocument,
    "query SessionFeedback($id: ID!) {\n  session(id: $id) {\n    id\n    status\n    averageScore\n    feedback {\n      id\n      scope\n      score\n      strengths\n      improvements\n      summary\n      createdAt\n      message {\n        id\n        seq\n        content\n      }\n    }\n  }\n}": types.SessionFeedbackDocument,
    "query SessionMessages($id: ID!, $first: Int = 20, $after: String) {\n  session(id: $id) {\n    id\n    messages(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          seq\n          role\n          content\n          createdAt\n        }\n      }\n    }\n  }\n}": types.SessionMessagesDocument,
    "query SessionsList($first: Int = 20, $after: String, $status: SessionStatus) {\n  sessions(first: $first, after: $after, status: $status) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        status\n        createdAt\n        completedAt\n        jobPosting {\n          id\n          title\n          company\n        }\n        messages(first: 10) {\n          edges {\n            node {\n              id\n              seq\n              role\n              content\n            }\n          }\n        }\n        feedback {\n          id\n          score\n          summary\n        }\n      }\n    }\n  }\n}": types.SessionsListDocument,
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    key\n    apiKey {\n      id\n      prefix\n    }\n    user {\n      id\n      name\n      email\n    }\n  }\n}": types.SignUpDocument,
    "mutation SubmitAnswer($input: SubmitAnswerInput!) {\n  submitAnswer(input: $input) {\n    answer {\n      id\n      seq\n      role\n      content\n    }\n    feedback {\n      id\n      score\n      strengths\n      improvements\n      summary\n    }\n    operation {\n      id\n      kind\n      status\n    }\n    nextQuestion {\n      id\n      seq\n      role\n      content\n    }\n  }\n}": types.SubmitAnswerDocument,
    "query Viewer {\n  viewer {\n    id\n    name\n    email\n    createdAt\n    apiKeys {\n      id\n      name\n      prefix\n      createdAt\n      revoked\n    }\n  }\n}": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CompleteSession($input: SessionIdInput!) {\n  completeSession(input: $input) {\n    id\n    status\n    completedAt\n    feedback {\n      id\n      scope\n      score\n      summary\n    }\n  }\n}"): (typeof documents)["mutation CompleteSession($input: SessionIdInput!) {\n  completeSession(input: $input) {\n    id\n    status\n    completedAt\n    feedback {\n      id\n      scope\n      score\n      summary\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateApiKey($input: CreateApiKeyInput!) {\n  createApiKey(input: $input) {\n    key\n    apiKey {\n      id\n      name\n      prefix\n      createdAt\n    }\n  }\n}"): (typeof documents)["mutation CreateApiKey($input: CreateApiKeyInput!) {\n  createApiKey(input: $input) {\n    key\n    apiKey {\n      id\n      name\n      prefix\n      createdAt\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateJobPosting($input: CreateJobPostingInput!) {\n  createJobPosting(input: $input) {\n    id\n    title\n    company\n    skills\n    createdAt\n  }\n}"): (typeof documents)["mutation CreateJobPosting($input: CreateJobPostingInput!) {\n  createJobPosting(input: $input) {\n    id\n    title\n    company\n    skills\n    createdAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateResume($input: CreateResumeInput!) {\n  createResume(input: $input) {\n    id\n    title\n    createdAt\n  }\n}"): (typeof documents)["mutation CreateResume($input: CreateResumeInput!) {\n  createResume(input: $input) {\n    id\n    title\n    createdAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateSession($input: CreateSessionInput!) {\n  createSession(input: $input) {\n    id\n    status\n    createdAt\n    jobPosting {\n      id\n      title\n    }\n    messages(first: 1) {\n      edges {\n        node {\n          id\n          seq\n          role\n          content\n        }\n      }\n    }\n  }\n}"): (typeof documents)["mutation CreateSession($input: CreateSessionInput!) {\n  createSession(input: $input) {\n    id\n    status\n    createdAt\n    jobPosting {\n      id\n      title\n    }\n    messages(first: 1) {\n      edges {\n        node {\n          id\n          seq\n          role\n          content\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteSession($input: SessionIdInput!) {\n  deleteSession(input: $input) {\n    deletedSessionId\n  }\n}"): (typeof documents)["mutation DeleteSession($input: SessionIdInput!) {\n  deleteSession(input: $input) {\n    deletedSessionId\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query JobPostings($first: Int = 20, $after: String) {\n  jobPostings(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        title\n        company\n        skills\n        createdAt\n      }\n    }\n  }\n}"): (typeof documents)["query JobPostings($first: Int = 20, $after: String) {\n  jobPostings(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        title\n        company\n        skills\n        createdAt\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Resumes($first: Int = 20, $after: String) {\n  resumes(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        title\n        createdAt\n      }\n    }\n  }\n}"): (typeof documents)["query Resumes($first: Int = 20, $after: String) {\n  resumes(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        title\n        createdAt\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revoked\n    revokedAt\n  }\n}"): (typeof documents)["mutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revoked\n    revokedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SessionDetail($id: ID!) {\n  session(id: $id) {\n    id\n    status\n    createdAt\n    startedAt\n    completedAt\n    messageCount\n    averageScore\n    jobPosting {\n      id\n      title\n      company\n      skills\n    }\n    resume {\n      id\n      title\n    }\n    messages(first: 50) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          seq\n          role\n          content\n          createdAt\n          feedback {\n            id\n            score\n          }\n        }\n      }\n    }\n    feedback {\n      id\n      scope\n      score\n      strengths\n      improvements\n      summary\n      createdAt\n    }\n    operations {\n      id\n      kind\n      status\n      attempts\n      error\n      createdAt\n      startedAt\n      finishedAt\n    }\n  }\n}"): (typeof documents)["query SessionDetail($id: ID!) {\n  session(id: $id) {\n    id\n    status\n    createdAt\n    startedAt\n    completedAt\n    messageCount\n    averageScore\n    jobPosting {\n      id\n      title\n      company\n      skills\n    }\n    resume {\n      id\n      title\n    }\n    messages(first: 50) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          seq\n          role\n          content\n          createdAt\n          feedback {\n            id\n            score\n          }\n        }\n      }\n    }\n    feedback {\n      id\n      scope\n      score\n      strengths\n      improvements\n      summary\n      createdAt\n    }\n    operations {\n      id\n      kind\n      status\n      attempts\n      error\n      createdAt\n      startedAt\n      finishedAt\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription SessionEvents($sessionId: ID!) {\n  sessionEvents(sessionId: $sessionId) {\n    __typename\n    sessionId\n    ... on MessageAdded {\n      message {\n        id\n        seq\n        role\n        content\n        createdAt\n      }\n    }\n    ... on FeedbackReady {\n      feedback {\n        id\n        score\n        summary\n        strengths\n        improvements\n      }\n    }\n    ... on OperationUpdated {\n      status\n      operation {\n        id\n        kind\n        status\n        attempts\n      }\n    }\n    ... on SessionCompleted {\n      session {\n        id\n        status\n        completedAt\n        averageScore\n      }\n    }\n  }\n}"): (typeof documents)["subscription SessionEvents($sessionId: ID!) {\n  sessionEvents(sessionId: $sessionId) {\n    __typename\n    sessionId\n    ... on MessageAdded {\n      message {\n        id\n        seq\n        role\n        content\n        createdAt\n      }\n    }\n    ... on FeedbackReady {\n      feedback {\n        id\n        score\n        summary\n        strengths\n        improvements\n      }\n    }\n    ... on OperationUpdated {\n      status\n      operation {\n        id\n        kind\n        status\n        attempts\n      }\n    }\n    ... on SessionCompleted {\n      session {\n        id\n        status\n        completedAt\n        averageScore\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SessionFeedback($id: ID!) {\n  session(id: $id) {\n    id\n    status\n    averageScore\n    feedback {\n      id\n      scope\n      score\n      strengths\n      improvements\n      summary\n      createdAt\n      message {\n        id\n        seq\n        content\n      }\n    }\n  }\n}"): (typeof documents)["query SessionFeedback($id: ID!) {\n  session(id: $id) {\n    id\n    status\n    averageScore\n    feedback {\n      id\n      scope\n      score\n      strengths\n      improvements\n      summary\n      createdAt\n      message {\n        id\n        seq\n        content\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SessionMessages($id: ID!, $first: Int = 20, $after: String) {\n  session(id: $id) {\n    id\n    messages(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          seq\n          role\n          content\n          createdAt\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query SessionMessages($id: ID!, $first: Int = 20, $after: String) {\n  session(id: $id) {\n    id\n    messages(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          seq\n          role\n          content\n          createdAt\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SessionsList($first: Int = 20, $after: String, $status: SessionStatus) {\n  sessions(first: $first, after: $after, status: $status) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        status\n        createdAt\n        completedAt\n        jobPosting {\n          id\n          title\n          company\n        }\n        messages(first: 10) {\n          edges {\n            node {\n              id\n              seq\n              role\n              content\n            }\n          }\n        }\n        feedback {\n          id\n          score\n          summary\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query SessionsList($first: Int = 20, $after: String, $status: SessionStatus) {\n  sessions(first: $first, after: $after, status: $status) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        status\n        createdAt\n        completedAt\n        jobPosting {\n          id\n          title\n          company\n        }\n        messages(first: 10) {\n          edges {\n            node {\n              id\n              seq\n              role\n              content\n            }\n          }\n        }\n        feedback {\n          id\n          score\n          summary\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    key\n    apiKey {\n      id\n      prefix\n    }\n    user {\n      id\n      name\n      email\n    }\n  }\n}"): (typeof documents)["mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    key\n    apiKey {\n      id\n      prefix\n    }\n    user {\n      id\n      name\n      email\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SubmitAnswer($input: SubmitAnswerInput!) {\n  submitAnswer(input: $input) {\n    answer {\n      id\n      seq\n      role\n      content\n    }\n    feedback {\n      id\n      score\n      strengths\n      improvements\n      summary\n    }\n    operation {\n      id\n      kind\n      status\n    }\n    nextQuestion {\n      id\n      seq\n      role\n      content\n    }\n  }\n}"): (typeof documents)["mutation SubmitAnswer($input: SubmitAnswerInput!) {\n  submitAnswer(input: $input) {\n    answer {\n      id\n      seq\n      role\n      content\n    }\n    feedback {\n      id\n      score\n      strengths\n      improvements\n      summary\n    }\n    operation {\n      id\n      kind\n      status\n    }\n    nextQuestion {\n      id\n      seq\n      role\n      content\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Viewer {\n  viewer {\n    id\n    name\n    email\n    createdAt\n    apiKeys {\n      id\n      name\n      prefix\n      createdAt\n      revoked\n    }\n  }\n}"): (typeof documents)["query Viewer {\n  viewer {\n    id\n    name\n    email\n    createdAt\n    apiKeys {\n      id\n      name\n      prefix\n      createdAt\n      revoked\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;