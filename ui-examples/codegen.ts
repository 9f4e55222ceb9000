import type { CodegenConfig } from '@graphql-codegen/cli';

// Types come from the committed, printed schema; every graphql(`...`) document in src/ is validated
// against it, so an operation that no longer matches the schema fails `npm run codegen`.
const config: CodegenConfig = {
  schema: '../graphql-schema/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: {
          Long: 'number',
          Decimal: 'string',
          Date: 'string',
          DateTime: 'string',
          CurrencyCode: 'string',
          JSON: 'unknown',
        },
      },
    },
  },
};
export default config;
