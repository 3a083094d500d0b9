// Quick harness: correctness vs reference and timing of blocked vs planar.
#include "CKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static float act_ref(int k,float a,float b,float v){switch(k){case 1:return fminf(fmaxf(v,a),b);case 2:return v*fminf(fmaxf(v/6+0.5f,0),1);
case 3:return fminf(fmaxf(a*v+b,0),1);case 4:return 1/(1+expf(-v));case 5:return v/(1+expf(-a*v));default:return v;}}
int main(int argc,char**argv){
  int mode=argc>1?atoi(argv[1]):0;
  if(mode==0){ // correctness sweep
    int ks[][2]={{3,3},{5,5},{7,7},{1,3},{2,2},{1,1}}; int fails=0,tests=0;
    for(int isa=1;isa<=3;isa++){ if(!imgvec_sgemm_kernel_available(isa))continue;
    for(int ki=0;ki<6;ki++)for(int st=1;st<=3;st++)for(int dl=1;dl<=2;dl++)for(int hw=0;hw<5;hw++)for(int ch=0;ch<5;ch++){
      int kh=ks[ki][0],kw=ks[ki][1]; int H[]={1,7,13,14,30},W[]={1,7,11,14,37}; int C[]={1,15,16,17,40};
      int h=H[hw],w=W[hw],c=C[ch],batch=2; int pt=(kh-1)*dl/2,pl=(kw-1)*dl/2+(st==2),pb=pt+1,pr=(kw-1)*dl/2;
      long oh=(h+pt+pb-(kh-1)*dl-1)/st+1, ow=(w+pl+pr-(kw-1)*dl-1)/st+1; if(oh<1||ow<1)continue;
      imgvec_depthwise_shape s={h,w,oh,ow,kh,kw,st,st,dl,dl,pt,pl};
      int kind=(ki+st+hw+ch)%6; float a=kind==1?-0.3f:(kind==3?0.2f:1.0f), b=kind==1?0.4f:0.5f;
      imgvec_depthwise_activation act={kind,a,b};
      float*x=malloc(sizeof(float)*batch*c*h*w),*wt=malloc(sizeof(float)*c*kh*kw),*bi=malloc(4*c),*y=malloc(4*batch*c*oh*ow),*r=malloc(4*batch*c*oh*ow);
      for(long i=0;i<batch*c*h*w;i++)x[i]=(rand()%2000-1000)/500.0f; for(long i=0;i<c*kh*kw;i++)wt[i]=(rand()%2000-1000)/1000.0f; for(int i=0;i<c;i++)bi[i]=(rand()%200-100)/100.0f;
      for(long p=0;p<batch*c;p++){int chn=p%c;for(long oy=0;oy<oh;oy++)for(long ox=0;ox<ow;ox++){float sum=bi[chn];
        for(int ky=0;ky<kh;ky++)for(int kx=0;kx<kw;kx++){long iy=oy*st-pt+ky*dl,ix=ox*st-pl+kx*dl; if(iy>=0&&iy<h&&ix>=0&&ix<w)sum+=x[p*h*w+iy*w+ix]*wt[chn*kh*kw+ky*kw+kx];}
        r[p*oh*ow+oy*ow+ox]=act_ref(kind,a,b,sum);}}
      long sf=imgvec_depthwise_run_scratch_floats(&s); float*scr=aligned_alloc(64,((sf*4+63)/64)*64);
      for(long i=0;i<batch*c*oh*ow;i++)y[i]=NAN;
      // split: planes 0..3 all rows, rest in two row halves
      long split=3<batch*c?3:batch*c;
      int rc=imgvec_depthwise_run(isa,&s,c,0,split,0,oh,x,wt,bi,&act,y,scr);
      if(imgvec_depthwise_uses_blocks(isa,&s)){rc|=imgvec_depthwise_run(isa,&s,c,split,batch*c-split,0,oh/2,x,wt,bi,&act,y,scr);
      rc|=imgvec_depthwise_run(isa,&s,c,split,batch*c-split,oh/2,oh,x,wt,bi,&act,y,scr);} else rc|=imgvec_depthwise_run(isa,&s,c,split,batch*c-split,0,oh,x,wt,bi,&act,y,scr);
      float md=0; for(long i=0;i<batch*c*oh*ow;i++){float d=fabsf(y[i]-r[i]); if(!(d<=md))md=isnan(d)?1e9:d;}
      tests++; if(rc||md>1e-4){fails++; if(fails<20)printf("FAIL isa%d k%dx%d s%d d%d %dx%d c%d act%d rc%d maxdiff %g\n",isa,kh,kw,st,dl,h,w,c,kind,rc,md);}
      free(x);free(wt);free(bi);free(y);free(r);free(scr);
    }}
    printf("%d tests, %d failures\n",tests,fails); return fails!=0;
  }
  // timing: mode 1: args c hw k s isa useblocks(1/0)
  int c=atoi(argv[2]),hw=atoi(argv[3]),k=atoi(argv[4]),st=atoi(argv[5]),isa=atoi(argv[6]),planar=atoi(argv[7]);
  int p=k/2; long o=(hw+2*p-k)/st+1; imgvec_depthwise_shape s={hw,hw,o,o,k,k,st,st,1,1,p,p};
  float*x=aligned_alloc(64,4*c*hw*hw+64),*wt=malloc(4*c*k*k),*bi=calloc(c,4),*y=aligned_alloc(64,4*c*o*o+64);
  for(long i=0;i<(long)c*hw*hw;i++)x[i]=i%7*0.1f; for(int i=0;i<c*k*k;i++)wt[i]=0.01f*i;
  long sf=imgvec_depthwise_run_scratch_floats(&s); float*scr=aligned_alloc(64,((sf*4+63)/64)*64);
  imgvec_depthwise_activation act={0,0,0};
  double best=1e9; for(int rep=0;rep<(getenv("REPS")?atoi(getenv("REPS")):200);rep++){double t=now();
    if(planar) imgvec_depthwise_planes(isa,&s,c,0,c,x,wt,bi,0,0,0,y,scr); else imgvec_depthwise_run(isa,&s,c,0,c,0,o,x,wt,bi,&act,y,scr);
    t=now()-t; if(t<best)best=t;}
  printf("c%d %dx%d k%d s%d isa%d %s: %.3f ms\n",c,hw,hw,k,st,isa,planar?"planar":"blocked",best*1e3);
  return 0;
}
