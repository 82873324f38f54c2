/**
 * The S3 client factory. Path-style addressing for MinIO and other S3-compatible servers, and checksums
 * only when required: since client-s3 3.729 the default trailer checksums are rejected by many of them.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';

export type S3Settings = NonNullable<Config['media']['s3']>;

export function createS3Client(s3: S3Settings): S3Client {
  const options: S3ClientConfig = {
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (s3.endpoint) options.endpoint = s3.endpoint;
  if (s3.accessKeyId && s3.secretAccessKey) {
    options.credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  }
  return new S3Client(options);
}
